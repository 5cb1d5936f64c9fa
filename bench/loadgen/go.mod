module ollamachat/bench/loadgen

go 1.19
