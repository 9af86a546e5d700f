/* placeholder: removed when the layer has modules */
typedef int store_placeholder_unused;
