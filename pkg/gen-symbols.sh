#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# pkg/gen-symbols.sh MAP [SYMBOLS] VERSION: print debian/libkvmlstar1.symbols
# for the version script MAP (lib/libkvmlstar.map): each name in a node's
# global: list as NAME@NODE, and each node itself as NODE@NODE (as
# dpkg-gensymbols lists version definitions).  A symbol already in the
# existing SYMBOLS file keeps its minimum version there; a new one gets
# VERSION, the release that adds it.  `make deb-symbols` writes the file,
# `make deb-check` fails when it is stale, and dpkg-gensymbols checks it
# against the built library in every package build.
set -euo pipefail

case $# in
2) map=$1 old='' version=$2 ;;
3) map=$1 old=$2 version=$3 ;;
*) echo "usage: $0 MAP [SYMBOLS] VERSION" >&2; exit 2 ;;
esac
[ -r "$map" ] || { echo "$0: cannot read $map" >&2; exit 1; }
[ -z "$old" ] || [ -r "$old" ] || old=

exec perl -e '
	use strict; use warnings;
	my ($map, $old, $version) = @ARGV;
	my %min;
	if ($old ne "") {
		open(my $o, "<", $old) or die "$old: $!\n";
		while (<$o>) { $min{$1} = $2 if /^ (\S+) (\S+)/; }
	}
	open(my $m, "<", $map) or die "$map: $!\n";
	my $text = do { local $/; <$m> };
	$text =~ s{/\*.*?\*/}{}gs;   # C comments
	$text =~ s{(#|//)[^\n]*}{}g; # line comments
	my ($node, $scope, @syms);
	for my $tok ($text =~ /(global:|local:|[{};]|[^\s{};]+)/g) {
		if (!defined $node) {
			next if $tok eq ";";
			die "$map: expected a version node name, got \"$tok\"\n" if $tok =~ /[{}:]/;
			$node = $tok; $scope = "";
			push @syms, "$node\@$node";
		} elsif ($tok eq "{") {
		} elsif ($tok eq "global:" || $tok eq "local:") {
			$scope = $tok;
		} elsif ($tok eq "}") {
			$scope = "closed";
		} elsif ($tok eq ";") {
			undef $node if $scope eq "closed";
		} elsif ($scope eq "global:") {
			die "$map: wildcard \"$tok\" in global: list every symbol by name\n" if $tok =~ /[*?\[]/;
			push @syms, "$tok\@$node";
		}
	}
	die "$map: unterminated version node $node\n" if defined $node;
	print "libkvmlstar.so.1 libkvmlstar1 #MINVER#\n";
	print "* Build-Depends-Package: libkvmlstar-dev\n";
	print " $_ ", ($min{$_} // $version), "\n" for sort @syms;
' "$map" "$old" "$version"
