# DEADBYTE_CHECK_CFLAG(FLAG, ACTION-IF-OK)
# --------------------------------------
# Run ACTION-IF-OK when the C compiler accepts FLAG without a warning.
AC_DEFUN([DEADBYTE_CHECK_CFLAG], [
  AS_VAR_PUSHDEF([cache], [deadbyte_cv_cflag_$1])
  AC_CACHE_CHECK([whether $CC accepts $1], [cache], [
    saved_CFLAGS=$CFLAGS
    CFLAGS="$CFLAGS -Werror $1"
    AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
                      [AS_VAR_SET([cache], [yes])], [AS_VAR_SET([cache], [no])])
    CFLAGS=$saved_CFLAGS])
  AS_VAR_IF([cache], [yes], [$2])
  AS_VAR_POPDEF([cache])
])
