#!/bin/sh
# Re-draw the sample site's raster images from the SVGs here (our own
# drawings, no downloads). Needs Debian's chromium; run from this directory.
set -e
shot() { # svg png width height
  chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --hide-scrollbars --screenshot="$2" --window-size="$3,$4" "file://$PWD/$1" 2>/dev/null
}
shot nato-members.svg ../../static/images/nato-members.png 1200 675
shot eu-members.svg ../../static/images/eu-members.png 1200 675
shot sanctions-tools.svg ../../static/images/sanctions-tools.png 1200 675
shot card.svg ../../themes/default/static/card.png 1200 630
shot budapest.svg ../../static/images/budapest.png 1200 675
shot minsk.svg ../../static/images/minsk.png 1200 675
