module ollamachat/bench/loadgen

go 1.21
