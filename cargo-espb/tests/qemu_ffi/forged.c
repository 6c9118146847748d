/* A handle the module made up is refused before the native runs. */
#include <stdio.h>

#include "natives.h"

int main(void) {
    struct dev_obj *o = dev_obj_new(5);
    printf("real %d\n", dev_obj_id(o));
    struct dev_obj *forged = (struct dev_obj *)((char *)o + 1);
    printf("forged %d\n", dev_obj_id(forged));
    return 0;
}
