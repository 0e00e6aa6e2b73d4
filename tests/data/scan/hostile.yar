rule hostile_name { strings: $h = "HOSTILE-NAME-CONTENT" condition: $h }
