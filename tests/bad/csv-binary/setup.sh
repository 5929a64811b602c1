# setup.sh - makes this case's inputs at test time (tests/bad/run.sh)
printf '\177ELF\002\001\001\000' > deals.csv
head -c 3000 /dev/zero >> deals.csv
