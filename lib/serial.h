/* SPDX-License-Identifier: MIT */
/*
 * serial.h -- the serial-number counter.  The public side,
 * deadbyte_serialno_bump() and deadbyte_get_serialno(), is in deadbyte.h;
 * the counter itself lives only in serial.c.
 */
#ifndef DEADBYTE_SERIAL_H
#define DEADBYTE_SERIAL_H

#include "deadbyte.h"

#endif
