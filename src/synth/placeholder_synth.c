/* placeholder: removed when the layer has modules */
typedef int synth_placeholder_unused;
