/* placeholder: removed when the layer has modules */
typedef int advice_placeholder_unused;
