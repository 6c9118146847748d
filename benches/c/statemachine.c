/* statemachine: branch-heavy control-firmware kernel. An encoder produces a
 * byte stream of framed, escaped, CRC-8 protected command packets with
 * injected noise, corrupted and truncated frames; a byte-at-a-time decoder
 * state machine recovers the frames and dispatches each command (switch) to
 * a simulated motor controller: a run/ramp/fault state machine, a Q16
 * fixed-point PID loop, a sensor filter with hysteresis and GPIO bit
 * twiddling. The decoder's counts must equal the encoder's bookkeeping. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define PACKETS 6000
#define REPS 16
#define MAX_DATA 12
#define FLAG_START 0x7E
#define FLAG_END 0x7F
#define ESCAPE 0x7D
#define NCMDS 6

enum { CMD_TARGET, CMD_SENSOR, CMD_MODE, CMD_TICK, CMD_GPIO, CMD_CONFIG };
enum { EV_START, EV_STOP, EV_ESTOP, EV_RESET };
enum { M_IDLE, M_RAMP_UP, M_RUN, M_RAMP_DOWN, M_FAULT };
enum { S_HUNT, S_CMD, S_LEN, S_DATA, S_CRC, S_END };

typedef struct {
    int state;
    int32_t target, speed, current;
    int32_t integ, prev_err;
    int32_t kp, ki, kd;
    int32_t filt;
    int alarm;
    uint32_t gpio;
    uint32_t faults, ticks, transitions;
    uint32_t hash;
} motor;

typedef struct {
    int state, esc;
    uint8_t cmd, len, pos, crc;
    uint8_t data[MAX_DATA];
    uint32_t good, bad_crc, bad_len, truncated;
    uint32_t per_cmd[NCMDS];
} decoder;

static uint32_t rng;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static uint8_t crc8(uint8_t crc, uint8_t b)
{
    crc ^= b;
    for (int i = 0; i < 8; i++)
        crc = (crc & 0x80) ? (uint8_t)((crc << 1) ^ 0x07) : (uint8_t)(crc << 1);
    return crc;
}

static void mix(motor *m, uint32_t v) { m->hash = (m->hash ^ v) * 16777619u; }

static void motor_event(motor *m, int ev)
{
    int old = m->state;
    switch (m->state) {
    case M_IDLE:
        if (ev == EV_START)
            m->state = M_RAMP_UP;
        else if (ev == EV_ESTOP)
            m->state = M_FAULT;
        break;
    case M_RAMP_UP:
    case M_RUN:
        if (ev == EV_STOP)
            m->state = M_RAMP_DOWN;
        else if (ev == EV_ESTOP)
            m->state = M_FAULT;
        break;
    case M_RAMP_DOWN:
        if (ev == EV_START)
            m->state = M_RAMP_UP;
        else if (ev == EV_ESTOP)
            m->state = M_FAULT;
        break;
    case M_FAULT:
        if (ev == EV_RESET) {
            m->state = M_IDLE;
            m->speed = 0;
            m->integ = 0;
        }
        break;
    }
    if (old != m->state) {
        m->transitions++;
        mix(m, (uint32_t)(old * 8 + m->state));
    }
}

static int32_t clamp(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : v > hi ? hi : v; }

static void motor_tick(motor *m)
{
    m->ticks++;
    int32_t setpoint;
    switch (m->state) {
    case M_RAMP_UP:
        setpoint = m->target;
        if (m->speed >= m->target - 16)
            m->state = M_RUN, m->transitions++;
        break;
    case M_RUN:
        setpoint = m->target;
        break;
    case M_RAMP_DOWN:
        setpoint = 0;
        if (m->speed < 8 && m->speed > -8) {
            m->state = M_IDLE;
            m->transitions++;
        }
        break;
    default:
        setpoint = 0;
        break;
    }
    /* Q16 PID */
    int32_t err = setpoint - m->speed;
    m->integ = clamp(m->integ + err, -100000, 100000);
    int64_t out = (int64_t)m->kp * err + (int64_t)m->ki * m->integ + (int64_t)m->kd * (err - m->prev_err);
    m->prev_err = err;
    int32_t drive = clamp((int32_t)(out >> 16), -2000, 2000);
    if (m->state == M_FAULT || m->state == M_IDLE)
        drive = 0;
    m->current = (m->current * 3 + (drive < 0 ? -drive : drive)) / 4;
    m->speed += (drive - m->speed / 8) / 16;
    if (m->current > 1900 && m->state != M_FAULT) {
        m->faults++;
        motor_event(m, EV_ESTOP);
    }
    mix(m, (uint32_t)m->speed);
}

static void dispatch(motor *m, decoder *d)
{
    const uint8_t *p = d->data;
    d->per_cmd[d->cmd]++;
    switch (d->cmd) {
    case CMD_TARGET:
        if (d->len >= 2)
            m->target = (int16_t)(p[0] | p[1] << 8) / 16;
        break;
    case CMD_SENSOR:
        for (int i = 0; i + 1 < d->len; i += 2) {
            int32_t s = p[i] | (p[i + 1] & 0x0f) << 8; /* 12-bit ADC */
            m->filt += (s - m->filt) / 4;
            if (!m->alarm && m->filt > 3000)
                m->alarm = 1, mix(m, 0xA1A1);
            else if (m->alarm && m->filt < 2500)
                m->alarm = 0, mix(m, 0xA0A0);
        }
        break;
    case CMD_MODE:
        if (d->len >= 1)
            motor_event(m, p[0] & 3);
        break;
    case CMD_TICK: {
        int n = d->len ? p[0] % 32 + 1 : 1;
        for (int i = 0; i < n; i++)
            motor_tick(m);
        break;
    }
    case CMD_GPIO:
        for (int i = 0; i < d->len; i++) {
            uint32_t bit = 1u << (p[i] & 31);
            switch (p[i] >> 5) {
            case 0: m->gpio |= bit; break;
            case 1: m->gpio &= ~bit; break;
            case 2: m->gpio ^= bit; break;
            case 3: m->gpio = (m->gpio << 1) | (m->gpio >> 31); break;
            default: mix(m, m->gpio & bit); break;
            }
        }
        break;
    case CMD_CONFIG:
        if (d->len >= 3) {
            m->kp = 20000 + p[0] * 64;
            m->ki = 200 + p[1];
            m->kd = 1000 + p[2] * 16;
        }
        break;
    }
}

static void feed(decoder *d, motor *m, uint8_t b)
{
    if (b == FLAG_START) { /* always (re)starts a frame */
        if (d->state != S_HUNT)
            d->truncated++;
        d->state = S_CMD;
        d->esc = 0;
        d->crc = 0;
        return;
    }
    if (d->state == S_HUNT)
        return;
    if (b == FLAG_END) {
        if (d->state == S_END) {
            dispatch(m, d);
            d->good++;
        } else {
            d->truncated++;
        }
        d->state = S_HUNT;
        return;
    }
    if (b == ESCAPE) {
        d->esc = 1;
        return;
    }
    if (d->esc) {
        b ^= 0x20;
        d->esc = 0;
    }
    switch (d->state) {
    case S_CMD:
        if (b >= NCMDS) {
            d->bad_len++;
            d->state = S_HUNT;
            break;
        }
        d->cmd = b;
        d->crc = crc8(d->crc, b);
        d->state = S_LEN;
        break;
    case S_LEN:
        if (b > MAX_DATA) {
            d->bad_len++;
            d->state = S_HUNT;
            break;
        }
        d->len = b;
        d->pos = 0;
        d->crc = crc8(d->crc, b);
        d->state = b ? S_DATA : S_CRC;
        break;
    case S_DATA:
        d->data[d->pos++] = b;
        d->crc = crc8(d->crc, b);
        if (d->pos == d->len)
            d->state = S_CRC;
        break;
    case S_CRC:
        if (b == d->crc) {
            d->state = S_END;
        } else {
            d->bad_crc++;
            d->state = S_HUNT;
        }
        break;
    case S_END: /* extra byte before the end flag */
        d->bad_len++;
        d->state = S_HUNT;
        break;
    }
}

static uint8_t *put_escaped(uint8_t *p, uint8_t b)
{
    if (b == FLAG_START || b == FLAG_END || b == ESCAPE) {
        *p++ = ESCAPE;
        *p++ = b ^ 0x20;
    } else {
        *p++ = b;
    }
    return p;
}

int main(void)
{
    uint8_t *stream = malloc(PACKETS * (2 * (MAX_DATA + 3) + 8));
    if (!stream) {
        printf("statemachine: FAIL malloc\n");
        return 2;
    }
    rng = 0x12345678u;
    uint32_t hash = 0, total_good = 0;
    for (int rep = 0; rep < REPS; rep++) {
        uint32_t exp_good = 0, exp_crc = 0, exp_trunc = 0, exp_cmd[NCMDS] = {0};
        uint8_t *p = stream;
        for (int i = 0; i < PACKETS; i++) {
            int noise = rnd() % 4;
            for (int k = 0; k < noise; k++) {
                uint8_t nb = (uint8_t)rnd();
                *p++ = nb == FLAG_START ? 0 : nb;
            }
            uint32_t r = rnd();
            uint8_t cmd = (uint8_t)(r % NCMDS);
            uint8_t len = (uint8_t)((r >> 8) % (MAX_DATA + 1));
            uint8_t data[MAX_DATA];
            uint8_t crc = crc8(crc8(0, cmd), len);
            for (int k = 0; k < len; k++) {
                data[k] = (uint8_t)rnd();
                crc = crc8(crc, data[k]);
            }
            int kind = (r >> 16) % 32; /* 0: corrupt, 1: truncate */
            if (kind == 0 && len > 0)
                data[(r >> 24) % len] ^= 0x10;
            else if (kind == 0)
                crc ^= 0x10;
            *p++ = FLAG_START;
            p = put_escaped(p, cmd);
            p = put_escaped(p, len);
            int cut = kind == 1 ? len / 2 : len;
            for (int k = 0; k < cut; k++)
                p = put_escaped(p, data[k]);
            if (kind == 1) {
                *p++ = FLAG_END;
                exp_trunc++;
                continue;
            }
            p = put_escaped(p, crc);
            *p++ = FLAG_END;
            if (kind == 0) {
                exp_crc++;
            } else {
                exp_good++;
                exp_cmd[cmd]++;
            }
        }
        size_t n = (size_t)(p - stream);

        decoder d = {0};
        motor m = {0};
        m.kp = 40000;
        m.ki = 300;
        m.kd = 2000;
        m.target = 500;
        m.hash = 2166136261u;
        for (size_t i = 0; i < n; i++)
            feed(&d, &m, stream[i]);
        if (d.good != exp_good || d.bad_crc != exp_crc || d.truncated != exp_trunc ||
            d.bad_len != 0) {
            printf("statemachine: FAIL good %u/%u crc %u/%u trunc %u/%u badlen %u\n",
                   (unsigned)d.good, (unsigned)exp_good, (unsigned)d.bad_crc, (unsigned)exp_crc,
                   (unsigned)d.truncated, (unsigned)exp_trunc, (unsigned)d.bad_len);
            return 1;
        }
        for (int c = 0; c < NCMDS; c++) {
            if (d.per_cmd[c] != exp_cmd[c]) {
                printf("statemachine: FAIL command %d dispatched %u times, expected %u\n", c,
                       (unsigned)d.per_cmd[c], (unsigned)exp_cmd[c]);
                return 1;
            }
        }
        hash = hash * 31u + m.hash + m.transitions + m.faults * 7u + m.ticks + m.gpio;
        total_good += d.good;
    }
    free(stream);
    printf("statemachine: %u frames ok, controller hash %08x\n", (unsigned)total_good,
           (unsigned)hash);
    return 0;
}
