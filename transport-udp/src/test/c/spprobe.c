/*
 * spprobe: a line-driven Spread 4.4 client for consortd's compatibility tests, linked against
 * Spread's own client library. It reads one command per line on stdin and prints one result line
 * on stdout, so a test can run a session step by step and check every answer.
 *
 *   auth consort IDENTITY PASSWORD | auth null -> OK 1: the method the next connect offers
 *                                                 (SP_set_auth_method); consort sends
 *                                                 u8 len, IDENTITY, u8 len, PASSWORD on the socket
 *   connect SPREAD_NAME USER MEMBERSHIP(0|1)  -> CONNECTED <private group> | CONNECT_ERROR <code>
 *   join G / leave G                           -> OK <ret>
 *   mcast SERVICE(hex) MESS_TYPE TEXT G...     -> OK <ret>       (TEXT: no spaces; '-' for empty)
 *   big SERVICE(hex) LEN G                     -> OK <ret>       (LEN bytes, byte i = i % 251)
 *   raw ORDER(be|le) TYPE(hex) MESS_TYPE TEXT G -> OK <bytes written>: a message header, one name and
 *                                                 TEXT written straight to the socket in that byte
 *                                                 order, as a client on such a host writes it
 *                                                 (TYPE 0x10000 is a join, 0x20000 a leave)
 *   recv                                       -> one line describing what SP_receive returned
 *   disconnect                                 -> OK <ret>
 *   quit
 *
 * recv prints one of
 *   MSG service=0x.. sender=S type=T endian=E groups=G1,G2 len=N text=... sum=C
 *   REJECT service=0x.. sender=S type=T groups=G1,G2 len=N text=...
 *   MEMB group=G cause=JOIN|LEAVE|DISCONNECT|NETWORK members=M1,M2 me=I gid=A,B,C changed=X
 *        vssets=N local=K sets=[A,B][C]
 *   TRANS group=G gid=A,B,C
 *   SELFLEAVE group=G
 *   ERROR <code>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/socket.h>
#include "sp.h"

#define MAX_MESS (200 * 1024)
#define MAX_NAMES 200

static mailbox Mbox = -1;
static char Mess[MAX_MESS];
static char Names[MAX_NAMES][MAX_GROUP_NAME];

static char PrivateGroup[MAX_GROUP_NAME];

static void put32(unsigned char *p, unsigned int v, int big) {
    int i;
    for (i = 0; i < 4; i++) p[big ? 3 - i : i] = (unsigned char) (v >> (8 * i));
}

/* The 48-byte header of CLIENT-PROTOCOL.md 3 in the given order: a big-endian writer's marker is 0. */
static int send_raw(int big, unsigned int type, int mess_type, const char *text, const char *group) {
    static unsigned char buf[48 + 32 + 1024];
    unsigned int marker = big ? 0 : 0x80000080u;
    int len = (int) strlen(text), n = 48 + 32 + len, off = 0;
    memset(buf, 0, sizeof buf);
    put32(buf, (type & ~0x80000080u) | marker, big);
    strncpy((char *) buf + 4, PrivateGroup, 31);
    put32(buf + 36, 1, big);
    put32(buf + 40, (((unsigned int) mess_type << 8) & 0x00ffff00u) | marker, big);
    put32(buf + 44, (unsigned int) len, big);
    strncpy((char *) buf + 48, group, 31);
    memcpy(buf + 80, text, len);
    while (off < n) {
        ssize_t w = send(Mbox, buf + off, n - off, 0);
        if (w <= 0) return -1;
        off += (int) w;
    }
    return n;
}

static char AuthData[512];
static int AuthLen;

static int consort_auth(int fd, void *data) {
    (void) data;
    return send(fd, AuthData, AuthLen, 0) == AuthLen;
}

static int null_auth(int fd, void *data) {
    (void) fd; (void) data;
    return 1;
}

static void print_names(const char *label, char names[][MAX_GROUP_NAME], int n) {
    int i;
    printf(" %s=", label);
    for (i = 0; i < n; i++) printf("%s%s", i ? "," : "", names[i]);
}

static void print_text(int len) {
    int i;
    unsigned long sum = 0;
    printf(" text=");
    for (i = 0; i < len && i < 64; i++) {
        unsigned char c = (unsigned char) Mess[i];
        putchar(c > 32 && c < 127 ? c : '.');
    }
    for (i = 0; i < len; i++) sum = sum * 31 + (unsigned char) Mess[i];
    printf(" sum=%lu", sum);
}

static void do_recv(void) {
    service st = 0;
    char sender[MAX_GROUP_NAME];
    int num_groups, endian, ret;
    int16 mess_type;
    ret = SP_receive(Mbox, &st, sender, MAX_NAMES, &num_groups, Names, &mess_type, &endian, MAX_MESS, Mess);
    if (ret < 0) { printf("ERROR %d\n", ret); return; }
    if (Is_regular_mess(st)) {
        printf("MSG service=0x%x sender=%s type=%d endian=%d", st, sender, mess_type, endian);
        print_names("groups", Names, num_groups);
        printf(" len=%d", ret);
        print_text(ret);
        printf("\n");
    } else if (Is_reject_mess(st)) {
        printf("REJECT service=0x%x sender=%s type=%d", st, sender, mess_type);
        print_names("groups", Names, num_groups);
        printf(" len=%d", ret);
        print_text(ret);
        printf("\n");
    } else if (Is_membership_mess(st)) {
        membership_info mi;
        if (SP_get_memb_info(Mess, st, &mi) < 0) { printf("BADMEMB\n"); return; }
        if (Is_reg_memb_mess(st)) {
            vs_set_info sets[MAX_NAMES];
            unsigned int local = 0;
            int nsets, i, j;
            const char *cause = Is_caused_join_mess(st) ? "JOIN" : Is_caused_leave_mess(st) ? "LEAVE"
                    : Is_caused_disconnect_mess(st) ? "DISCONNECT" : Is_caused_network_mess(st) ? "NETWORK" : "?";
            printf("MEMB group=%s cause=%s", sender, cause);
            print_names("members", Names, num_groups);
            printf(" me=%d gid=%d,%d,%d changed=%s", mess_type, mi.gid.id[0], mi.gid.id[1], mi.gid.id[2],
                   Is_caused_network_mess(st) ? "-" : mi.changed_member);
            nsets = SP_get_vs_sets_info(Mess, sets, MAX_NAMES, &local);
            printf(" vssets=%u local=%u sets=", mi.num_vs_sets, local);
            for (i = 0; i < nsets; i++) {
                static char members[MAX_NAMES][MAX_GROUP_NAME];
                int n = SP_get_vs_set_members(Mess, &sets[i], members, MAX_NAMES);
                printf("[");
                for (j = 0; j < n; j++) printf("%s%s", j ? "," : "", members[j]);
                printf("]");
            }
            printf(" myset=%u\n", mi.my_vs_set.num_members);
        } else if (Is_transition_mess(st)) {
            printf("TRANS group=%s gid=%d,%d,%d\n", sender, mi.gid.id[0], mi.gid.id[1], mi.gid.id[2]);
        } else if (Is_caused_leave_mess(st)) {
            printf("SELFLEAVE group=%s\n", sender);
        } else {
            printf("UNKNOWNMEMB 0x%x\n", st);
        }
    } else {
        printf("UNKNOWN service=0x%x ret=%d\n", st, ret);
    }
}

int main(void) {
    char line[4096];
    setvbuf(stdout, NULL, _IOLBF, 0);
    while (fgets(line, sizeof line, stdin) != NULL) {
        char cmd[32] = "", a[256] = "", b[256] = "", c[1024] = "";
        int n = sscanf(line, "%31s %255s %255s %1023s", cmd, a, b, c);
        if (n < 1) continue;
        if (strcmp(cmd, "connect") == 0) {
            char pg[MAX_GROUP_NAME];
            int ret = SP_connect(a, strcmp(b, "-") == 0 ? NULL : b, 0, atoi(c), &Mbox, pg);
            if (ret == ACCEPT_SESSION) {
                strncpy(PrivateGroup, pg, MAX_GROUP_NAME - 1);
                printf("CONNECTED %s\n", pg);
            } else {
                printf("CONNECT_ERROR %d\n", ret);
            }
        } else if (strcmp(cmd, "auth") == 0) {
            if (strcmp(a, "consort") == 0) {
                int il = (int) strlen(b), pl = (int) strlen(c);
                AuthLen = 0;
                AuthData[AuthLen++] = (char) il; memcpy(AuthData + AuthLen, b, il); AuthLen += il;
                AuthData[AuthLen++] = (char) pl; memcpy(AuthData + AuthLen, c, pl); AuthLen += pl;
                printf("OK %d\n", SP_set_auth_method("CONSORT", consort_auth, NULL));
            } else {
                printf("OK %d\n", SP_set_auth_method("NULL", null_auth, NULL));
            }
        } else if (strcmp(cmd, "join") == 0) {
            printf("OK %d\n", SP_join(Mbox, a));
        } else if (strcmp(cmd, "leave") == 0) {
            printf("OK %d\n", SP_leave(Mbox, a));
        } else if (strcmp(cmd, "mcast") == 0 || strcmp(cmd, "big") == 0) {
            service st = (service) strtol(a, NULL, 16);
            char groups[MAX_NAMES][MAX_GROUP_NAME];
            int ng = 0, len, i;
            char *p = line, *tok;
            int skip = strcmp(cmd, "mcast") == 0 ? 4 : 3;
            memset(groups, 0, sizeof groups);
            for (i = 0; i < skip; i++) { while (*p == ' ') p++; while (*p && *p != ' ') p++; }
            while ((tok = strtok(ng == 0 ? p : NULL, " \n")) != NULL && ng < MAX_NAMES) {
                strncpy(groups[ng++], tok, MAX_GROUP_NAME - 1);
            }
            if (strcmp(cmd, "mcast") == 0) {
                const char *text = strcmp(c, "-") == 0 ? "" : c;
                len = (int) strlen(text);
                memcpy(Mess, text, len);
                i = SP_multigroup_multicast(Mbox, st, ng, (const char (*)[MAX_GROUP_NAME]) groups,
                                            (int16) atoi(b), len, Mess);
            } else {
                len = atoi(b);
                for (i = 0; i < len; i++) Mess[i] = (char) (i % 251);
                i = SP_multigroup_multicast(Mbox, st, ng, (const char (*)[MAX_GROUP_NAME]) groups, 7, len, Mess);
            }
            printf("OK %d\n", i);
        } else if (strcmp(cmd, "raw") == 0) {
            char text[1024] = "", group[256] = "";
            unsigned int type = 0;
            int mess_type = 0;
            if (sscanf(line, "%*s %*s %x %d %1023s %255s", &type, &mess_type, text, group) != 4) {
                printf("BAD_RAW\n");
                continue;
            }
            printf("OK %d\n", send_raw(strcmp(a, "be") == 0, type, mess_type, strcmp(text, "-") == 0 ? "" : text, group));
        } else if (strcmp(cmd, "recv") == 0) {
            do_recv();
        } else if (strcmp(cmd, "disconnect") == 0) {
            printf("OK %d\n", SP_disconnect(Mbox));
        } else if (strcmp(cmd, "quit") == 0) {
            break;
        } else {
            printf("UNKNOWN_COMMAND %s\n", cmd);
        }
    }
    return 0;
}
