/* web_blob.S - the demo page's files (web/) built into the binary like openapi_blob.S, so `/` needs
 * no file at run time and always matches the binary's API. Paths are relative to the repo root, where
 * make runs; the Makefile rebuilds this object when a file under web/ changes. src/api/web.c lists
 * the files with their content types. */
    .macro WEB_FILE name, path
    .global sb_web_\name\()_start
    .global sb_web_\name\()_end
sb_web_\name\()_start:
    .incbin "\path"
sb_web_\name\()_end:
    .endm

    .section .rodata
    WEB_FILE index_html, "web/index.html"
    WEB_FILE demo_css, "web/demo.css"
    WEB_FILE demo_js, "web/demo.js"
    .section .note.GNU-stack,"",@progbits
