/* placeholder: removed when the layer has modules */
typedef int instruments_placeholder_unused;
