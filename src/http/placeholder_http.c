/* placeholder: removed when the layer has modules */
typedef int http_placeholder_unused;
