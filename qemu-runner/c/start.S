/* Process entry under qemu-riscv32 user mode: the kernel's initial stack holds
 * argc at 0(sp) and argv at 4(sp). */
    .section .text.start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    mv a0, sp
    andi sp, sp, -16
    call espb_c_start
1:  j 1b
    .size _start, . - _start
