/* A marker planted across window edges of a large file. */
rule window_marker { strings: $m = "KAKETSUKE-WINDOW-EDGE-MARKER-0123456789" condition: $m }
rule window_many { strings: $r = "REPEATED-TOKEN" condition: #r > 3 }
