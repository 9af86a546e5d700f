/* placeholder: removed when the layer has modules */
typedef int analysis_placeholder_unused;
