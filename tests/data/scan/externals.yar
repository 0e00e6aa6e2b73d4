/* Externals as kaketsuke defines them for host files (tests/integration/10-scan-cli.sh). */
rule host_filetype_php { condition: filetype == "PHP" and extension == ".php" and filename == "shell.PHP" }
rule host_filetype_exe { condition: filetype == "EXE" and uint16(0) == 0x5A4D }
rule host_owner_root { strings: $o = "OWNER-CHECK" condition: $o and owner == "root" }
rule host_filepath { strings: $p = "PATH-CHECK" condition: $p and filepath endswith "/sub/dir" }
