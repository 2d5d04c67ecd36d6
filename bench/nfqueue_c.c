/* The libnetfilter_queue baseline of bench/nfqueue.ts: binds a queue, prints
 * READY, waits for a line on stdin with the number of packets queued
 * meanwhile (COUNT), then accepts them (one verdict each, or one batch verdict
 * per BATCH packets) and prints the seconds that took, wall clock and CPU
 * (user + system). Usage: nfqueue_c QUEUE BATCH */
#include <arpa/inet.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

static long seen, count, batch;
static struct timespec t0;

static double cpu_secs(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int cb(struct nfq_q_handle *qh, struct nfgenmsg *nfmsg, struct nfq_data *nfa, void *data) {
  struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
  unsigned id = ntohl(ph->packet_id);
  seen++;
  if (batch <= 1) return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
  if (seen % batch == 0 || seen == count) return nfq_set_verdict_batch(qh, id, NF_ACCEPT);
  return 0;
}

int main(int argc, char **argv) {
  int queue = atoi(argv[1]);
  batch = atol(argv[2]);
  struct nfq_handle *h = nfq_open();
  struct nfq_q_handle *qh = nfq_create_queue(h, queue, &cb, NULL);
  if (!qh) { perror("nfq_create_queue"); return 1; }
  nfq_set_mode(qh, NFQNL_COPY_PACKET, 0xffff);
  nfq_set_queue_maxlen(qh, 1 << 20);
  int fd = nfq_fd(h);
  int rcv = 256 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv);
  printf("READY\n");
  fflush(stdout);
  char go[32];
  if (!fgets(go, sizeof go, stdin)) return 1;
  count = atol(go);
  char buf[65536];
  clock_gettime(CLOCK_MONOTONIC, &t0);
  double c0 = cpu_secs();
  while (seen < count) {
    int n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) { perror("recv"); continue; }
    nfq_handle_packet(h, buf, n);
  }
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("%.6f %.6f\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, cpu_secs() - c0);
  nfq_destroy_queue(qh);
  nfq_close(h);
  return 0;
}
