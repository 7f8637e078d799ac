/* A shared object without the entry symbol. */
int cachelab_something_else(void) { return 42; }
