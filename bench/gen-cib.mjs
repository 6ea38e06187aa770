// Deterministic generated <configuration> of N primitives, shaped like the one in
// ../shared/notes/LIBRARIES.md §2: IPaddr2, Filesystem, apache and systemd primitives, half of them
// in groups of 4, each with 1–4 instance nvpairs, a meta target-role and 3 ops; N/2 location
// constraints, N/2 colocations, N/2 orders and one rsc_ticket.
//   node bench/gen-cib.mjs 1000 > /tmp/cib-1000.xml

/** The address of the i-th IPaddr2 primitive: 10.(i / 65536).(i / 256 % 256).(i % 256), all in 10.0.0.0/8. */
export function vipAddress(i) {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

function primitive(i) {
  const id = `rsc${i}`;
  const kind = i % 4;
  const nvpairs = [];
  const nv = (name, value) => nvpairs.push(`<nvpair id="${id}-ia-${name}" name="${name}" value="${value}"/>`);
  let type;
  let cls = 'ocf';
  let provider = ' provider="heartbeat"';
  if (kind === 0) {
    type = 'IPaddr2';
    nv('ip', vipAddress(i >> 2));
    nv('cidr_netmask', '24');
    nv('nic', 'eth0');
  } else if (kind === 1) {
    type = 'Filesystem';
    nv('device', `/dev/vg0/lv${i}`);
    nv('directory', `/srv/siteA/data${i}`);
    nv('fstype', 'xfs');
    nv('options', 'noatime');
  } else if (kind === 2) {
    type = 'apache';
    nv('configfile', `/srv/siteA/httpd${i}.conf`);
    nv('statusurl', `http://${vipAddress(i >> 2)}/server-status`);
  } else {
    type = `app${i}`;
    cls = 'systemd';
    provider = '';
    nv('unused', 'x');
  }
  const ops = ['start', 'stop', 'monitor']
    .map(
      (name) => `<op id="${id}-${name}" name="${name}" interval="${name === 'monitor' ? '10s' : '0s'}" timeout="20s"/>`,
    )
    .join('');
  return (
    `<primitive id="${id}" class="${cls}"${provider} type="${type}">` +
    `<instance_attributes id="${id}-ia">${nvpairs.join('')}</instance_attributes>` +
    `<meta_attributes id="${id}-meta"><nvpair id="${id}-meta-target-role" name="target-role" value="Started"/></meta_attributes>` +
    `<operations>${ops}</operations></primitive>`
  );
}

export function generateConfiguration(n) {
  const resources = [];
  const grouped = Math.floor(n / 2 / 4) * 4;
  for (let g = 0; g < grouped; g += 4) {
    resources.push(`<group id="grp${g / 4}">${[0, 1, 2, 3].map((k) => primitive(g + k)).join('')}</group>`);
  }
  for (let i = grouped; i < n; i++) resources.push(primitive(i));
  const constraints = [];
  for (let i = 0; i < Math.floor(n / 2); i++) {
    constraints.push(`<rsc_location id="loc${i}" rsc="rsc${i}" node="node${i % 4}" score="100"/>`);
    constraints.push(`<rsc_colocation id="col${i}" rsc="rsc${i}" with-rsc="rsc${(i + 1) % n}" score="INFINITY"/>`);
    constraints.push(`<rsc_order id="ord${i}" first="rsc${(i + 1) % n}" then="rsc${i}"/>`);
  }
  constraints.push('<rsc_ticket id="ticket-rsc0" rsc="rsc0" ticket="ticketA" loss-policy="stop"/>');
  return (
    '<configuration>' +
    '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-stonith" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>' +
    '<nodes>' +
    [0, 1, 2, 3].map((k) => `<node id="${k + 1}" uname="node${k}"/>`).join('') +
    '</nodes>' +
    `<resources>${resources.join('')}</resources>` +
    `<constraints>${constraints.join('')}</constraints>` +
    '</configuration>\n'
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2]);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write('usage: node bench/gen-cib.mjs N\n');
    process.exit(2);
  }
  process.stdout.write(generateConfiguration(n));
}
