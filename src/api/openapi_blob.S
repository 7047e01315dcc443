/* openapi_blob.S - src/api/openapi.json built into the binary, so /openapi.json needs no file at run
 * time and can never differ from the document in the repository. Paths are relative to the repo root,
 * where make runs. */
    .section .rodata
    .global sb_openapi_json_start
    .global sb_openapi_json_end
sb_openapi_json_start:
    .incbin "src/api/openapi.json"
sb_openapi_json_end:
    .section .note.GNU-stack,"",@progbits
