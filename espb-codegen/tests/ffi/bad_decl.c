// A script that declares a native differently from the SDK the bundled hints
// were written for: `xQueueReceive` with two arguments.
int xQueueReceive(void *queue, int ticks);

int main(void)
{
    return xQueueReceive((void *)0, 5);
}
