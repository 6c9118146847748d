// Registers a callback with native code, which may call it after the
// instance is gone.
typedef void (*event_cb)(void *ud, int value);
void tl_register(event_cb cb, void *ud);

static int total;
static void on_event(void *ud, int v) { *(int *)ud += v; }
int setup(void) { tl_register(on_event, &total); return 0; }
int get_total(void) { return total; }
