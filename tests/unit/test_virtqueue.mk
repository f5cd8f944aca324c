UNIT_SRCS_test_virtqueue := kernel/dev/virtio/virtqueue.c lib/string.c
