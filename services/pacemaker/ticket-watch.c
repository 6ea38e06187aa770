/*
 * cibsync-ticket-watch: prints the state of this cluster's tickets as one JSON line, at start and
 * whenever a CIB change alters it, so that cibsync learns of a grant or a revoke at once. Node cannot
 * speak Pacemaker's IPC; this program can (Pacemaker 2.1 CIB client API).
 *
 * It signs on to the CIB manager read-only, asks for diff notifications, and after each one (bursts
 * are folded into one) queries the tickets alone, locally: `/cib/status/tickets`. A line is printed
 * only when it differs from the last one printed:
 *
 *   [{"id":"ticketA","granted":true,"standby":false}]
 *
 * It exits 0 when its standard input is closed (cibsync keeps it open and stops it so, or by
 * SIGTERM), and non-zero with a message on stderr when it cannot sign on (2), when the connection to
 * the CIB manager drops (3) or a query fails (4).
 *
 * Built by scripts/build-native.sh (pkg-config pacemaker-cib glib-2.0) into dist/bin/.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include <crm/crm.h>
#include <crm/cib.h>
#include <crm/common/logging.h>
#include <crm/common/nvpair.h>
#include <crm/common/util.h>
#include <crm/common/xml.h>

#define NAME "cibsync-ticket-watch"
#define TICKETS_XPATH "/cib/status/tickets"

enum exit_status { EXIT_OK = 0, EXIT_SIGNON = 2, EXIT_DISCONNECTED = 3, EXIT_QUERY = 4 };

static cib_t *cib;
static GMainLoop *loop;
static int exit_status = EXIT_OK;
static gboolean finished = FALSE;
static guint pending_query;
static char *last_line;

static void finish(int status, const char *message) {
    if (message != NULL) {
        fprintf(stderr, NAME ": %s\n", message);
    }
    if (!finished) { /* the first reason stands: signing off after a stop also "loses" the connection */
        finished = TRUE;
        exit_status = status;
    }
    g_main_loop_quit(loop);
}

/* A ticket id as a JSON string: quotes, backslashes and control characters escaped. */
static void append_json_string(GString *out, const char *text) {
    g_string_append_c(out, '"');
    for (const unsigned char *c = (const unsigned char *) text; *c != '\0'; c++) {
        if (*c == '"' || *c == '\\') {
            g_string_append_printf(out, "\\%c", *c);
        } else if (*c < 0x20) {
            g_string_append_printf(out, "\\u%04x", *c);
        } else {
            g_string_append_c(out, (char) *c);
        }
    }
    g_string_append_c(out, '"');
}

/* The JSON line for a <tickets> element (NULL: there is none yet, no ticket was ever set). */
static char *tickets_line(xmlNode *tickets) {
    GString *out = g_string_new("[");
    gboolean first = TRUE;

    for (xmlNode *node = tickets ? tickets->children : NULL; node != NULL; node = node->next) {
        const char *id;

        if (node->type != XML_ELEMENT_NODE || strcmp((const char *) node->name, "ticket_state") != 0) {
            continue;
        }
        id = crm_element_value(node, "id");
        if (id == NULL) {
            continue;
        }
        g_string_append(out, first ? "{\"id\":" : ",{\"id\":");
        append_json_string(out, id);
        g_string_append_printf(out, ",\"granted\":%s,\"standby\":%s}",
                               crm_is_true(crm_element_value(node, "granted")) ? "true" : "false",
                               crm_is_true(crm_element_value(node, "standby")) ? "true" : "false");
        first = FALSE;
    }
    g_string_append_c(out, ']');
    return g_string_free(out, FALSE);
}

/* Queries the tickets and prints them if they changed; FALSE when the query failed. */
static gboolean query_and_print(void) {
    xmlNode *tickets = NULL;
    char *line;
    int rc = cib->cmds->query(cib, TICKETS_XPATH, &tickets, cib_xpath | cib_scope_local | cib_sync_call);

    if (rc != pcmk_ok && rc != -ENXIO) { /* -ENXIO: no <tickets> section yet */
        char message[256];

        snprintf(message, sizeof(message), "query of %s failed: %s", TICKETS_XPATH, pcmk_strerror(rc));
        finish(EXIT_QUERY, message);
        free_xml(tickets);
        return FALSE;
    }
    line = tickets_line(rc == pcmk_ok ? tickets : NULL);
    free_xml(tickets);
    if (last_line != NULL && strcmp(line, last_line) == 0) {
        g_free(line);
        return TRUE;
    }
    printf("%s\n", line);
    fflush(stdout);
    g_free(last_line);
    last_line = line;
    return TRUE;
}

static gboolean run_pending_query(gpointer data) {
    (void) data;
    pending_query = 0;
    query_and_print();
    return G_SOURCE_REMOVE;
}

/* Every CIB change: query once the notifications already queued have been read (a burst costs one query). */
static void on_diff(const char *event, xmlNode *msg) {
    (void) event;
    (void) msg;
    if (pending_query == 0) {
        pending_query = g_idle_add_full(G_PRIORITY_LOW, run_pending_query, NULL, NULL);
    }
}

static void on_disconnect(gpointer data) {
    (void) data;
    finish(EXIT_DISCONNECTED, "connection to the CIB manager lost");
}

/* cibsync closed our standard input (or died): stop. */
static gboolean on_stdin(GIOChannel *channel, GIOCondition condition, gpointer data) {
    char buffer[256];

    (void) channel;
    (void) data;
    if ((condition & G_IO_IN) && read(STDIN_FILENO, buffer, sizeof(buffer)) > 0) {
        return G_SOURCE_CONTINUE;
    }
    finish(EXIT_OK, NULL);
    return G_SOURCE_REMOVE;
}

int main(int argc, char **argv) {
    GIOChannel *input;
    int rc;

    if (argc > 1) {
        fprintf(stderr, "usage: " NAME "\n(prints the CIB's ticket states as JSON lines; no options)\n");
        return 64;
    }
    crm_log_init(NAME, LOG_CRIT, FALSE, FALSE, argc, argv, TRUE);
    loop = g_main_loop_new(NULL, FALSE);

    cib = cib_new();
    if (cib == NULL) {
        fprintf(stderr, NAME ": cannot create a CIB connection\n");
        return EXIT_SIGNON;
    }
    rc = cib->cmds->signon(cib, NAME, cib_query);
    if (rc != pcmk_ok) {
        fprintf(stderr, NAME ": cannot sign on to the CIB manager: %s\n", pcmk_strerror(rc));
        cib_delete(cib);
        return EXIT_SIGNON;
    }
    /* Notifications first, then the first query: a change in between is not missed. */
    rc = cib->cmds->set_connection_dnotify(cib, on_disconnect);
    if (rc == pcmk_ok) {
        rc = cib->cmds->add_notify_callback(cib, T_CIB_DIFF_NOTIFY, on_diff);
    }
    if (rc != pcmk_ok) {
        fprintf(stderr, NAME ": cannot register for CIB change notifications: %s\n", pcmk_strerror(rc));
        cib->cmds->signoff(cib);
        cib_delete(cib);
        return EXIT_SIGNON;
    }

    input = g_io_channel_unix_new(STDIN_FILENO);
    g_io_add_watch(input, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, NULL);

    if (query_and_print()) {
        g_main_loop_run(loop);
    }

    g_io_channel_unref(input);
    cib->cmds->signoff(cib);
    cib_delete(cib);
    g_main_loop_unref(loop);
    g_free(last_line);
    return exit_status;
}
