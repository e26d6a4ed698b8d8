/* path.h — file paths and folder names: joining, and the byte order every listing is sorted in. */
#ifndef NNT_PATH_H
#define NNT_PATH_H

/* dir + "/" + name, malloc'd (NULL when out of memory): no slash is added after a dir that ends
 * in one, and an empty dir gives name itself (the current folder), never "/name". */
char *path_join(const char *dir, const char *name);

/* qsort comparator of two `char *` by strcmp: byte order, the same in every locale. Folder
 * listings, and so class names, are sorted by it. */
int path_cmp(const void *a, const void *b);

#endif
