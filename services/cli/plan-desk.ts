// Where `cibsync plan` acts: on the plan store of this machine (decisions recorded as the local user),
// or on a subscriber over HTTPS with --subscriber (decisions recorded as the client certificate's
// subject, checked against the subscriber's admins list).
import { userInfo } from 'node:os';
import { approvePlan, editPlan, type PlanRecord, PlanStore, rejectPlan } from '../approval/index.js';
import type { PipelineContext } from '../pipeline/index.js';
import { CONTENT_TYPE, SUBSCRIBER_ROUTES as ROUTES } from '../wire/index.js';
import type { Values } from './command.js';
import { callSubscriber, requestSubscriber } from './subscriber-client.js';

export interface PlanDesk {
  /** The plan `id`, or the pending one (undefined when none is pending). */
  show(id?: string): Promise<PlanRecord | undefined>;
  list(): Promise<PlanRecord[]>;
  approve(id: string): Promise<PlanRecord>;
  reject(id: string, reason?: string): Promise<PlanRecord>;
  /** The plan's candidate <configuration>, as the text an editor opens. */
  candidate(id: string): Promise<string>;
  edit(id: string, editedText: string): Promise<PlanRecord>;
}

/** Who decided, for the record: the local user (the HTTPS API records the client certificate subject). */
function localUser(): string {
  return `local:${process.env.SUDO_USER || userInfo().username}`;
}

export function localDesk(ctx: PipelineContext): PlanDesk {
  const store = new PlanStore(ctx.config.stateDir);
  return {
    show: (id) => (id ? store.get(id) : store.pending()),
    list: () => store.list(),
    approve: (id) => approvePlan(id, ctx, localUser()),
    reject: (id, reason) => rejectPlan(id, ctx, localUser(), reason),
    candidate: async (id) => {
      await store.get(id);
      return store.readDocument(id, 'candidate');
    },
    edit: (id, editedText) => editPlan(id, editedText, ctx, localUser()),
  };
}

export function remoteDesk(values: Values): PlanDesk {
  const json = { contentType: CONTENT_TYPE.json };
  return {
    show: async (id) =>
      ((await callSubscriber(values, id ? ROUTES.plan : ROUTES.pendingPlan, { id })) as PlanRecord | null) ?? undefined,
    list: async () => (await callSubscriber(values, ROUTES.plans)) as PlanRecord[],
    approve: async (id) =>
      (await callSubscriber(values, ROUTES.approvePlan, { id, ...json, body: '{}' })) as PlanRecord,
    reject: async (id, reason) =>
      (await callSubscriber(values, ROUTES.rejectPlan, {
        id,
        ...json,
        body: JSON.stringify({ reason }),
      })) as PlanRecord,
    candidate: (id) => requestSubscriber(values, ROUTES.planCandidate, { id, accept: CONTENT_TYPE.xml }),
    edit: async (id, editedText) =>
      (await callSubscriber(values, ROUTES.editPlan, {
        id,
        contentType: CONTENT_TYPE.xml,
        body: editedText,
      })) as PlanRecord,
  };
}
