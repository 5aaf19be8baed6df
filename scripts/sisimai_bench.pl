#!/usr/bin/perl
# Parse the files named on standard input (one path per line) with Sisimai; print counts.
# Used by scripts/bench_dsn.py to compare throughput with suppression.dsn.
use strict;
use warnings;
use Sisimai;

my ($messages, $records, $failed) = (0, 0, 0);
while (my $path = <STDIN>) {
    chomp $path;
    next unless length $path;
    $messages++;
    my $data = Sisimai->make($path, 'delivered' => 1) || [];
    for my $e (@$data) {
        $records++;
        my $reason = $e->reason // '';
        $failed++ unless $reason eq 'delivered' || $reason eq 'vacation' || $reason eq 'feedback';
    }
}
print "messages=$messages records=$records failed=$failed\n";
