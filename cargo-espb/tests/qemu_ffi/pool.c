/* 33 distinct callbacks stored by a native: the 33rd finds every one of the
 * runner's 32 trampolines bound and traps naming it. */
#include <stdio.h>

#include "natives.h"

#define CB(n) \
    static int cb##n(void *ud, int v) { return v + n; }
CB(0) CB(1) CB(2) CB(3) CB(4) CB(5) CB(6) CB(7) CB(8) CB(9) CB(10) CB(11) CB(12) CB(13) CB(14)
CB(15) CB(16) CB(17) CB(18) CB(19) CB(20) CB(21) CB(22) CB(23) CB(24) CB(25) CB(26) CB(27)
CB(28) CB(29) CB(30) CB(31) CB(32)

static dev_cb_t all[] = {cb0,  cb1,  cb2,  cb3,  cb4,  cb5,  cb6,  cb7,  cb8,  cb9,  cb10,
                         cb11, cb12, cb13, cb14, cb15, cb16, cb17, cb18, cb19, cb20, cb21,
                         cb22, cb23, cb24, cb25, cb26, cb27, cb28, cb29, cb30, cb31, cb32};

int main(void) {
    for (int i = 0; i < 33; i++) {
        int id = dev_store(all[i], 0);
        printf("%d:%d ", i, dev_fire(id, 100));
    }
    printf("\n");
    return 0;
}
