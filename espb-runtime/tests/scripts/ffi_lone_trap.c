// A callback that traps when native code calls it on its own.
typedef void (*event_cb)(void *ud, int value);
void tl_register(event_cb cb, void *ud);

static volatile int zero;
static int total;
static void on_event(void *ud, int v) { *(int *)ud += v / zero; }
int setup(void) { tl_register(on_event, &total); return 0; }
