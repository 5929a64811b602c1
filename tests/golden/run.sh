#!/bin/sh
# placeholder; replaced by the golden runner
echo "0 passed, 0 failed"
