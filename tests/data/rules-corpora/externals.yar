/*
 * Checks of the per-file external variables on every file of the corpora
 * images: compare kaketsuke's filename/filepath/extension with the oracle's.
 * Drive letters: C: for the volume holding \Windows\System32, then D:, E:, ...
 * for the other NTFS/FAT/exFAT volumes in partition order (C:, D:, ... when no
 * volume holds \Windows\System32); "/" paths elsewhere.
 */

rule KKC_Ext_Txt { condition: extension == ".txt" }
rule KKC_Ext_None { condition: extension == "" }
rule KKC_Ext_Lower { condition: extension matches /^\.[a-z0-9_]+$/ }
rule KKC_Root_Dir { condition: filepath matches /^([A-Z]:|\/)$/ }
rule KKC_Unix_Path { condition: filepath matches /^\// }
rule KKC_Drive_C { condition: filepath matches /^C:/ }
rule KKC_Drive_D { condition: filepath matches /^D:/ }
rule KKC_Drive_E { condition: filepath matches /^E:/ }
rule KKC_Drive_F { condition: filepath matches /^F:/ }
rule KKC_Drive_G { condition: filepath matches /^G:/ }
rule KKC_Backslash_Path { condition: filepath matches /^[A-Z]:\\[^\\]/ }
rule KKC_NonAscii_Name { condition: filename matches /[\x80-\xff]/ }
rule KKC_Upper_83_Name { condition: filename matches /^[A-Z0-9_~$]{1,8}(\.[A-Z0-9_]{1,3})?$/ }
rule KKC_Dot_Name { condition: filename matches /^\./ }
rule KKC_Stream_Name { condition: filename matches /:/ }
rule KKC_Space_In_Name { condition: filename contains " " }
