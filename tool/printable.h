/* SPDX-License-Identifier: MIT */
/*
 * printable.h -- words from the command line or the environment, made
 * safe to quote in a one-line message.
 */
#ifndef DEADBYTE_PRINTABLE_H
#define DEADBYTE_PRINTABLE_H

/*
 * TEXT with every byte a terminal could take for a command -- control
 * bytes, DEL, bytes that are not well-formed UTF-8, UTF-8 C1 controls --
 * and the backslash written \xNN (\\ for the backslash), and cut after
 * some 200 characters ("...").  The result is one of a few static
 * buffers, used in turn, so that one message can quote a few words.
 */
const char *printable(const char *text);

#endif
