/* placeholder: removed when the layer has modules */
typedef int io_placeholder_unused;
