// Must NOT compile in the compile sandbox: it embeds a reference file's bytes with the
// assembler (BNKIT_PROBE_PATH is the absolute path of a file under solutions/).
asm(".incbin \"" BNKIT_PROBE_PATH "\"");
