/*
 * The lean load generator's clients in C: the same work as bench/lean/raw-client.ts (one TCP
 * connection per player, an input frame every period with its seq patched in, every frame the
 * server sends read and its state header parsed for the ack), on one epoll loop with one static
 * read buffer, so that one core can drive 3,000 players. bench/lean/native.ts compiles it and
 * bench/lean/native-fleet.ts drives it; seats, the report and the choice of inputs stay in Node.
 *
 *   lean-generator <state|next-message> <input-rate> <seed> <type codes> <frame hex>...
 *
 * <type codes> is "INPUT,WELCOME,SNAPSHOT,DELTA,ROOM_DELTA" (from shared/protocol/codes.ts).
 * Commands on stdin, one per line; answers on stdout, one line each:
 *   connect <id> <port> <path> <protocol>  ->  "ready <id>" on WELCOME (the floor: on upgrade)
 *                                               or "fail <id> <reason>"
 *   mark   ->  one JSON line: counters since start, CPU, and input->ack since the last mark
 *   send <id>  ->  nothing: one input from that player now (for tests, with <input-rate> 0: no clock)
 *   acks   ->  "acks <ack seq of each player, in id order>"
 *   quit (or end of input)
 * Times: CLOCK_MONOTONIC read once per wake-up for the states read (every one of them had arrived
 * by then) and once more before the inputs due are sent.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PENDING 256     /* send times kept per client (12.8 s at 20 Hz), as raw-client.ts */
#define SLOTS 10        /* input clock slots per period, as loadtest/bots/input-clock.ts */
#define MAX_FRAMES 16
#define HIST 10240      /* log-linear latency buckets in us, 512 per octave (0.2%) */
#define MAX_CODES 5000 /* close codes up to 4999: Tickforge's own are 4000-4999 (4008 SLOW_CONSUMER) */

/* HANDSHAKE: upgrade request sent; UPGRADED: waiting for WELCOME. */
enum { CONNECTING, HANDSHAKE, UPGRADED, OPEN, CLOSED };

typedef struct {
  int fd, id, state;
  uint32_t seq, ack, timed;
  int slot, direction;
  double turn_at;
  double sent_at[PENDING];
  uint8_t *in;          /* an incomplete frame (or handshake) carried to the next read */
  size_t in_len, in_cap;
  uint8_t *out;         /* bytes the socket did not take yet (EAGAIN) */
  size_t out_len, out_cap;
  char *request;        /* the upgrade request, until sent */
} client_t;

static int next_message_mode;
static int t_input, t_welcome, t_snapshot, t_delta, t_room_delta;
static uint8_t frames[MAX_FRAMES][132];
static size_t frame_len[MAX_FRAMES];
static int frame_count;
static client_t **clients;
static int client_count, client_cap;
static int epfd;
static uint8_t read_buffer[256 * 1024];
static uint64_t rng;

static uint64_t states, messages, bytes, inputs, skipped;
static int open_count;
static uint64_t hist[HIST];
static uint64_t hist_count;
static uint32_t hist_max;
static uint32_t close_codes[MAX_CODES];

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double random01(void) { /* xorshift64* */
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return (double)((rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static void say(const char *line) {
  size_t n = strlen(line), off = 0;
  while (off < n) {
    ssize_t w = write(1, line + off, n - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      exit(1);
    }
    off += (size_t)w;
  }
}

/* --- latency histogram (us) --------------------------------------------------------------- */

static int bucket(uint32_t us) {
  int e = us < 1024 ? 0 : 31 - __builtin_clz(us) - 9;
  int i = e * 512 + (int)(us >> e);
  return i < HIST ? i : HIST - 1;
}

static uint32_t bucket_top(int i) {
  int e = i < 1024 ? 0 : (i >> 9) - 1;
  return (uint32_t)((((uint64_t)(i - e * 512) + 1) << e) - 1);
}

static void record(double ms) {
  double us = ms * 1000;
  uint32_t v = us < 1 ? 1 : us > 4e9 ? 4000000000u : (uint32_t)(us + 0.5);
  hist[bucket(v)]++;
  hist_count++;
  if (v > hist_max) hist_max = v;
}

static uint32_t percentile(double p) {
  if (hist_count == 0) return 0;
  uint64_t want = (uint64_t)(p / 100 * (double)hist_count + 0.999999), seen = 0;
  if (want == 0) want = 1;
  for (int i = 0; i < HIST; i++) {
    seen += hist[i];
    if (seen >= want) return bucket_top(i) < hist_max ? bucket_top(i) : hist_max;
  }
  return hist_max;
}

/* --- msgpack, only as far as the headers need --------------------------------------------- */

static uint32_t be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static size_t skip_uint(const uint8_t *p, size_t pos) {
  uint8_t b = p[pos];
  return b < 0x80 ? pos + 1 : b == 0xcc ? pos + 2 : b == 0xcd ? pos + 3 : b == 0xce ? pos + 5 : pos + 9;
}

static uint64_t read_uint(const uint8_t *p, size_t pos) {
  uint8_t b = p[pos];
  if (b < 0x80) return b;
  if (b == 0xcc) return p[pos + 1];
  if (b == 0xcd) return be16(p + pos + 1);
  if (b == 0xce) return be32(p + pos + 1);
  return (uint64_t)be32(p + pos + 1) << 32 | be32(p + pos + 5);
}

/* Position after the value at pos, or end + 1 if it runs past end. */
static size_t skip_value(const uint8_t *p, size_t pos, size_t end) {
  if (pos >= end) return end + 1;
  uint8_t b = p[pos];
  size_t items = 0, head = 1, body = 0;
  if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) return pos + 1;
  if ((b & 0xf0) == 0x80) items = 2 * (size_t)(b & 0x0f);
  else if ((b & 0xf0) == 0x90) items = b & 0x0f;
  else if ((b & 0xe0) == 0xa0) body = b & 0x1f;
  else {
    if (pos + 5 > end && b != 0xcc && b != 0xd0 && b != 0xc4 && b != 0xd9 && b != 0xc7 && b != 0xd4) return end + 1;
    switch (b) {
      case 0xcc: case 0xd0: return pos + 2;
      case 0xcd: case 0xd1: return pos + 3;
      case 0xce: case 0xd2: case 0xca: return pos + 5;
      case 0xcf: case 0xd3: case 0xcb: return pos + 9;
      case 0xd4: return pos + 3;
      case 0xd5: return pos + 4;
      case 0xd6: return pos + 6;
      case 0xd7: return pos + 10;
      case 0xd8: return pos + 18;
      case 0xc4: case 0xd9: head = 2; body = p[pos + 1]; break;
      case 0xc5: case 0xda: head = 3; body = be16(p + pos + 1); break;
      case 0xc6: case 0xdb: head = 5; body = be32(p + pos + 1); break;
      case 0xc7: head = 3; body = p[pos + 1]; break;
      case 0xc8: head = 4; body = be16(p + pos + 1); break;
      case 0xc9: head = 6; body = be32(p + pos + 1); break;
      case 0xdc: head = 3; items = be16(p + pos + 1); break;
      case 0xdd: head = 5; items = be32(p + pos + 1); break;
      case 0xde: head = 3; items = 2 * (size_t)be16(p + pos + 1); break;
      case 0xdf: head = 5; items = 2 * (size_t)be32(p + pos + 1); break;
      default: return end + 1;
    }
  }
  pos += head + body;
  for (size_t i = 0; i < items && pos <= end; i++) pos = skip_value(p, pos, end);
  return pos;
}

/* An array header at pos: its length, and pos moved past it; -1 if not an array. */
static long array_header(const uint8_t *p, size_t *pos) {
  uint8_t b = p[*pos];
  if ((b & 0xf0) == 0x90) { *pos += 1; return b & 0x0f; }
  if (b == 0xdc) { long n = be16(p + *pos + 1); *pos += 3; return n; }
  if (b == 0xdd) { long n = be32(p + *pos + 1); *pos += 5; return n; }
  return -1;
}

/* --- sockets ------------------------------------------------------------------------------ */

static void send_bytes(client_t *c, const uint8_t *data, size_t n) {
  if (c->out_len == 0) {
    ssize_t w = send(c->fd, data, n, MSG_NOSIGNAL);
    if (w == (ssize_t)n) return;
    if (w < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) return; /* the read side sees the close */
      w = 0;
    }
    data += w;
    n -= (size_t)w;
  }
  if (c->out_len + n > c->out_cap) {
    c->out_cap = (c->out_len + n) * 2;
    c->out = realloc(c->out, c->out_cap);
  }
  memcpy(c->out + c->out_len, data, n);
  c->out_len += n;
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
  epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void flush_out(client_t *c) {
  while (c->out_len > 0) {
    ssize_t w = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      c->out_len = 0;
      break;
    }
    memmove(c->out, c->out + w, c->out_len - (size_t)w);
    c->out_len -= (size_t)w;
  }
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
  epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void ready(client_t *c) {
  char line[32];
  c->state = OPEN;
  open_count++;
  snprintf(line, sizeof line, "ready %d\n", c->id);
  say(line);
}

static void drop(client_t *c, const char *reason, int code) {
  if (c->state == CLOSED) return;
  if (c->state == OPEN) {
    open_count--;
    if (code >= 0 && code < MAX_CODES) close_codes[code]++;
  } else {
    char line[256];
    snprintf(line, sizeof line, "fail %d %s\n", c->id, reason);
    say(line);
  }
  c->state = CLOSED;
  epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  free(c->in);
  free(c->out);
  c->in = c->out = NULL;
  c->in_len = c->in_cap = c->out_len = c->out_cap = 0;
}

static void connect_client(int id, int port, const char *path, const char *protocol) {
  client_t *c = calloc(1, sizeof *c);
  c->id = id;
  c->slot = -1;
  if (client_count == client_cap) {
    client_cap = client_cap ? client_cap * 2 : 1024;
    clients = realloc(clients, sizeof *clients * (size_t)client_cap);
  }
  clients[client_count++] = c;
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  size_t size = strlen(path) + strlen(protocol) + 256;
  c->request = malloc(size);
  snprintf(c->request, size,
           "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
           "Sec-WebSocket-Protocol: %s\r\n\r\n",
           path, port, protocol);
  c->state = CONNECTING;
  struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.ptr = c};
  if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS) {
    epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
    drop(c, strerror(errno), 1006);
    return;
  }
  epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
}

static void send_input(client_t *c, double now) {
  if (c->state != OPEN) return;
  if (now >= c->turn_at) {
    c->turn_at = now + 800 + random01() * 400;
    c->direction = (int)(random01() * frame_count);
  }
  uint8_t frame[132];
  size_t n = frame_len[c->direction];
  memcpy(frame, frames[c->direction], n);
  uint32_t seq = ++c->seq;
  frame[9] = (uint8_t)(seq >> 24); /* SEQ_AT in raw-client.ts: header 6, 0x93, INPUT, 0xce */
  frame[10] = (uint8_t)(seq >> 16);
  frame[11] = (uint8_t)(seq >> 8);
  frame[12] = (uint8_t)seq;
  c->sent_at[seq % PENDING] = now;
  send_bytes(c, frame, n);
  inputs++;
}

/* Time every input up to ack that was not timed yet. */
static void acked(client_t *c, uint32_t ack, double now) {
  c->ack = ack;
  uint32_t from = c->timed + 1;
  if (ack >= PENDING && ack - PENDING + 1 > from) from = ack - PENDING + 1;
  for (uint32_t seq = from; seq <= ack && seq != 0; seq++) record(now - c->sent_at[seq % PENDING]);
  if (ack > c->timed) c->timed = ack;
}

static void welcome(client_t *c, const uint8_t *p, size_t len) {
  size_t pos = 0;
  long n = len > 0 ? array_header(p, &pos) : -1;
  if (n < 1 || p[pos] != t_welcome) {
    drop(c, "expected WELCOME", 1006);
    return;
  }
  long seq = 0, slot = -1;
  for (long i = 0; i < n && pos < len; i++) {
    if (i == 8 || i == 9) {
      uint8_t b = p[pos];
      if (b < 0x80 || b == 0xcc || b == 0xcd || b == 0xce || b == 0xcf) {
        if (i == 8) seq = (long)read_uint(p, pos);
        else slot = (long)read_uint(p, pos);
      }
    }
    pos = skip_value(p, pos, len);
  }
  c->slot = (int)slot;
  c->seq = c->ack = c->timed = (uint32_t)seq;
  ready(c);
}

/* The ack a state message carries, or -1 for a message that is not state. */
static int64_t state_ack(client_t *c, const uint8_t *p) {
  uint8_t type = p[1];
  if (type != t_snapshot && type != t_delta && type != t_room_delta) return -1;
  size_t pos = skip_uint(p, 2); /* tick */
  if (type == t_snapshot) return (int64_t)read_uint(p, pos);
  pos = skip_uint(p, pos); /* span */
  if (type == t_delta) return (int64_t)read_uint(p, pos);
  long count = array_header(p, &pos);
  if (c->slot < 0 || c->slot >= count) return -1;
  for (int i = 0; i < c->slot; i++) pos = skip_uint(p, pos);
  c->ack += (uint32_t)read_uint(p, pos);
  return c->ack;
}

static void frame(client_t *c, int head, const uint8_t *p, size_t len, double now) {
  int opcode = head & 0x0f;
  /* Tickforge's servers never fragment a message: a fragment read as a whole state would miscount. */
  if (!(head & 0x80) || opcode == 0x0) {
    drop(c, "fragmented message", 1002);
    return;
  }
  if (opcode >= 0x8 && len > 125) { /* RFC 6455 5.5; the pong below has room for 125 */
    drop(c, "control frame over 125 bytes", 1002);
    return;
  }
  if (opcode == 0x9) {
    uint8_t pong[6 + 125];
    pong[0] = 0x8a;
    pong[1] = (uint8_t)(0x80 | len);
    memset(pong + 2, 0, 4);
    memcpy(pong + 6, p, len);
    send_bytes(c, pong, 6 + len);
    return;
  }
  if (opcode == 0x8) {
    drop(c, "closed before WELCOME", len >= 2 ? (int)be16(p) : 1005);
    return;
  }
  if (opcode != 0x2) return;
  messages++;
  bytes += len;
  if (c->state != OPEN) {
    welcome(c, p, len);
    return;
  }
  if (next_message_mode) {
    states++;
    acked(c, c->seq, now);
    return;
  }
  if (len < 3) return;
  int64_t ack = state_ack(c, p);
  if (ack < 0) return;
  states++;
  acked(c, (uint32_t)ack, now);
}

/* Parse what arrived: the upgrade answer first, then whole frames; keep a partial one. */
static void data(client_t *c, const uint8_t *p, size_t end, double now) {
  size_t pos = 0;
  if (c->state == HANDSHAKE) {
    const uint8_t *at = memmem(p, end, "\r\n\r\n", 4);
    if (!at) goto keep;
    if (end < 12 || memcmp(p, "HTTP/1.1 101", 12) != 0) {
      drop(c, "upgrade refused", 1006);
      return;
    }
    pos = (size_t)(at - p) + 4;
    c->state = UPGRADED;
    if (next_message_mode) ready(c); /* the floor sends no WELCOME */
  }
  while (end - pos >= 2 && c->state != CLOSED) {
    int head_byte = p[pos];
    size_t len = p[pos + 1] & 0x7f, head = 2;
    if (len == 126) {
      if (end - pos < 4) break;
      len = be16(p + pos + 2);
      head = 4;
    } else if (len == 127) {
      if (end - pos < 10) break;
      len = (size_t)((uint64_t)be32(p + pos + 2) << 32 | be32(p + pos + 6));
      head = 10;
    }
    if (end - pos < head || len > end - pos - head) break; /* (no head + len: a 64-bit len wraps) */
    frame(c, head_byte, p + pos + head, len, now);
    pos += head + len;
  }
  if (c->state == CLOSED) return;
keep:
  if (pos < end) {
    size_t rest = end - pos;
    if (rest > c->in_cap) {
      c->in_cap = rest * 2;
      c->in = realloc(c->in, c->in_cap);
    }
    memmove(c->in, p + pos, rest);
  }
  c->in_len = end - pos;
}

/* One read per readiness, as libuv does; epoll is level-triggered, so more data wakes us again.
 * The clock is read after each recv, never before: bytes that landed after epoll_wait returned
 * would otherwise be stamped early, and input->ack read low (more so the longer a wake-up takes,
 * so most at the largest client counts). After the recv, a stamp errs late: the safe side. */
static void readable(client_t *c) {
  size_t have = c->in_len;
  if (have >= sizeof read_buffer / 2) {
    drop(c, "frame too large", 1009);
    return;
  }
  /* Carried bytes of an incomplete frame go first, in the static buffer. */
  if (have) memcpy(read_buffer, c->in, have);
  ssize_t n;
  do n = recv(c->fd, read_buffer + have, sizeof read_buffer - have, 0);
  while (n < 0 && errno == EINTR);
  if (n == 0) {
    drop(c, "closed before WELCOME", 1006);
    return;
  }
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) drop(c, strerror(errno), 1006);
    return;
  }
  c->in_len = 0;
  data(c, read_buffer, have + (size_t)n, now_ms());
}

static void writable(client_t *c) {
  if (c->state == CONNECTING) {
    int error = 0;
    socklen_t size = sizeof error;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &size);
    if (error) {
      drop(c, strerror(error), 1006);
      return;
    }
    c->state = HANDSHAKE;
    send_bytes(c, (const uint8_t *)c->request, strlen(c->request));
    free(c->request);
    c->request = NULL;
    if (c->out_len == 0) {
      struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
      epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
    }
    return;
  }
  flush_out(c);
}

/* --- commands ----------------------------------------------------------------------------- */

static void mark(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu_ms = ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 + ru.ru_stime.tv_sec * 1e3 +
                  ru.ru_stime.tv_usec / 1e3;
  char line[4096];
  int n = snprintf(line, sizeof line,
                   "{\"states\":%llu,\"messages\":%llu,\"bytes\":%llu,\"inputs\":%llu,\"skipped\":%llu,"
                   "\"open\":%d,\"cpuMs\":%.3f,\"ackSamples\":%llu,\"ackP50Us\":%u,\"ackP99Us\":%u,"
                   "\"ackMaxUs\":%u,\"closed\":{",
                   (unsigned long long)states, (unsigned long long)messages, (unsigned long long)bytes,
                   (unsigned long long)inputs, (unsigned long long)skipped, open_count, cpu_ms,
                   (unsigned long long)hist_count, percentile(50), percentile(99), hist_max);
  const char *sep = "";
  for (int code = 0; code < MAX_CODES && n < (int)sizeof line - 64; code++) {
    if (!close_codes[code]) continue;
    n += snprintf(line + n, sizeof line - (size_t)n, "%s\"%d\":%u", sep, code, close_codes[code]);
    sep = ",";
  }
  snprintf(line + n, sizeof line - (size_t)n, "}}\n");
  say(line);
  memset(hist, 0, sizeof hist);
  hist_count = 0;
  hist_max = 0;
}

static void acks(void) {
  size_t size = 16 + (size_t)client_count * 11, n = 4;
  char *line = malloc(size);
  memcpy(line, "acks", 4);
  for (int i = 0; i < client_count; i++) n += (size_t)snprintf(line + n, size - n, " %u", clients[i]->ack);
  memcpy(line + n, "\n", 2);
  say(line);
  free(line);
}

static char command[1 << 16];
static size_t command_len;

/* Returns 0 on quit. */
static int commands(void) {
  ssize_t n = read(0, command + command_len, sizeof command - command_len - 1);
  if (n == 0) return 0;
  if (n < 0) return errno == EAGAIN || errno == EINTR;
  command_len += (size_t)n;
  char *start = command, *nl;
  while ((nl = memchr(start, '\n', command_len - (size_t)(start - command)))) {
    *nl = 0;
    int id, port;
    char path[4096], protocol[256];
    if (sscanf(start, "connect %d %d %4095s %255s", &id, &port, path, protocol) == 4)
      connect_client(id, port, path, protocol);
    else if (sscanf(start, "send %d", &id) == 1 && id >= 0 && id < client_count)
      send_input(clients[id], now_ms());
    else if (strcmp(start, "acks") == 0)
      acks();
    else if (strcmp(start, "mark") == 0)
      mark();
    else if (strcmp(start, "quit") == 0)
      return 0;
    start = nl + 1;
  }
  command_len -= (size_t)(start - command);
  memmove(command, start, command_len);
  return 1;
}

static int hex(char ch) { return ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10; }

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: lean-generator <state|next-message> <input-rate> <seed> <codes> <frame hex>...\n");
    return 2;
  }
  next_message_mode = strcmp(argv[1], "next-message") == 0;
  double input_rate = atof(argv[2]);
  rng = (uint64_t)strtoull(argv[3], NULL, 10) * 0x9E3779B97F4A7C15ULL + 1;
  if (sscanf(argv[4], "%d,%d,%d,%d,%d", &t_input, &t_welcome, &t_snapshot, &t_delta, &t_room_delta) != 5 ||
      input_rate < 0)
    return 2;
  for (int i = 5; i < argc && frame_count < MAX_FRAMES; i++) {
    size_t len = strlen(argv[i]) / 2;
    if (len > sizeof frames[0] || len < 13) return 2;
    for (size_t k = 0; k < len; k++) frames[frame_count][k] = (uint8_t)(hex(argv[i][2 * k]) << 4 | hex(argv[i][2 * k + 1]));
    frame_len[frame_count++] = len;
  }
  epfd = epoll_create1(EPOLL_CLOEXEC);
  fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(epfd, EPOLL_CTL_ADD, 0, &ev);

  /* The input clock: the period split into SLOTS, slot k due at origin + k * slot_ms (no drift);
   * a wake-up late by more than a whole period skips the missed slots and counts their inputs. */
  const double slot_ms = input_rate > 0 ? 1000 / input_rate / SLOTS : 0;
  const double origin = now_ms();
  long k = 0;
  struct epoll_event events[1024];
  for (;;) {
    double wait = input_rate > 0 ? origin + (double)k * slot_ms - now_ms() : -1;
    int n = epoll_wait(epfd, events, 1024, input_rate <= 0 ? -1 : wait <= 0 ? 0 : (int)(wait + 0.999));
    for (int i = 0; i < n; i++) {
      client_t *c = events[i].data.ptr;
      if (!c) {
        if (!commands()) return 0;
        continue;
      }
      if (c->state == CLOSED) continue;
      if (events[i].events & EPOLLOUT) writable(c);
      if (c->state != CLOSED && events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) readable(c);
    }
    if (input_rate <= 0) continue;
    /* After reading the events: stamp the sends with when they go out. */
    double now = now_ms();
    long due = (long)((now - origin) / slot_ms);
    if (due - k > SLOTS) {
      skipped += (uint64_t)((due - k - SLOTS) * client_count / SLOTS);
      k = due - SLOTS;
    }
    for (; k <= due; k++)
      for (int i = (int)(k % SLOTS); i < client_count; i += SLOTS) send_input(clients[i], now);
  }
}
