/* QEMU TCG plugin: executed guest instructions per translation block, to see
 * where an RV32 program spends them (benches/rv32/profile.py maps the blocks
 * to symbols). Same hand-written API v1 declarations as qemu-insncount.c.
 * Build: gcc -O2 -shared -fPIC -o profile.so qemu-profile.c
 * Use:   qemu-riscv32 -plugin ./profile.so,out=OUT.txt -d plugin prog
 *        writes "vaddr insns_per_block executions" lines to OUT.txt. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
typedef struct qemu_info_t qemu_info_t;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*tb_trans_cb)(qemu_plugin_id_t, struct qemu_plugin_tb *);
typedef void (*udata_cb)(qemu_plugin_id_t, void *);
extern void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t, tb_trans_cb);
extern void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *, enum qemu_plugin_op,
                                                     void *, uint64_t);
extern size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *);
extern uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *);
extern void qemu_plugin_register_atexit_cb(qemu_plugin_id_t, udata_cb, void *);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

struct block {
    uint64_t vaddr, n, count;
};

static struct block **blocks;
static size_t nblocks, cap;
static char out_path[512] = "qemu-profile.txt";

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    (void)id;
    struct block *b = calloc(1, sizeof *b);
    if (!b) return;
    b->vaddr = qemu_plugin_tb_vaddr(tb);
    b->n = qemu_plugin_tb_n_insns(tb);
    if (nblocks == cap) {
        cap = cap ? 2 * cap : 4096;
        blocks = realloc(blocks, cap * sizeof *blocks);
    }
    blocks[nblocks++] = b;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->count, 1);
}

static void at_exit(qemu_plugin_id_t id, void *p) {
    (void)id, (void)p;
    FILE *f = fopen(out_path, "w");
    if (!f) return;
    for (size_t i = 0; i < nblocks; i++)
        if (blocks[i]->count)
            fprintf(f, "%llx %llu %llu\n", (unsigned long long)blocks[i]->vaddr,
                    (unsigned long long)blocks[i]->n, (unsigned long long)blocks[i]->count);
    fclose(f);
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id,
                                                               const qemu_info_t *info, int argc,
                                                               char **argv) {
    (void)info;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "out=", 4) == 0) a += 4;
        snprintf(out_path, sizeof out_path, "%s", a);
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
