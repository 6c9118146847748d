#include <stdint.h>
struct dev_pair {
    int32_t a;
    int16_t b;
};
typedef int (*dev_cb_t)(void *ud, int v);
long dev_sum12(int, int, int, int, int, int, int, int, int, int, int, int);
void dev_mix(char *out, int n, int a, int64_t b, double c, float d, int e, int64_t f, float g,
             double h, int i, int64_t j);
float dev_fsum10(float, float, float, float, float, float, float, float, float, float);
double dev_dsum5(double, double, double, double, double);
int64_t dev_i64(int64_t a, int shift);
int dev_pair(struct dev_pair p, int k);
int dev_vformat(char *out, int n, const char *fmt, ...);
int dev_divmod(int a, int b, int *q, int *r);
struct dev_obj;
struct dev_obj *dev_obj_new(int id);
int dev_obj_id(struct dev_obj *o);
void dev_obj_get(struct dev_obj **out, int id);
int dev_store(dev_cb_t cb, void *ud);
int dev_fire(int id, int v);
