# kaketsuke live system: root's login shell. On tty1 start the guide first.
[ -f ~/.profile ] && . ~/.profile
if [ "$(tty)" = /dev/tty1 ] && [ -z "${KAKETSUKE_CONSOLE:-}" ]; then
	export KAKETSUKE_CONSOLE=1
	/usr/lib/kaketsuke/kaketsuke-console
fi
