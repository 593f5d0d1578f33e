<?php
// Evaluates constraints with composer/semver (Debian's `composer` package) and prints the
// same flags tuneforge computes, as JSON. Input on stdin: {"core": "...", "constraints": [...]}.
require '/usr/share/php/Composer/Semver/autoload.php';

use Composer\Semver\Constraint\Constraint;
use Composer\Semver\Constraint\MultiConstraint;
use Composer\Semver\Interval;
use Composer\Semver\Intervals;
use Composer\Semver\VersionParser;

$parser = new VersionParser();
$input = json_decode(stream_get_contents(STDIN), true);
$core = $parser->normalize($input['core']);
$drupal11 = new MultiConstraint(
    [new Constraint('>=', '11.0.0.0-dev'), new Constraint('<', '12.0.0.0-dev')],
    true
);
$infinity = Interval::untilPositiveInfinity()->getVersion();
$out = [];
foreach ($input['constraints'] as $c) {
    try {
        $parsed = $parser->parseConstraints($c);
        $unbounded = false;
        foreach (Intervals::get($parsed)['numeric'] as $interval) {
            if ($interval->getEnd()->getVersion() === $infinity) {
                $unbounded = true;
            }
        }
        $out[] = [
            'constraint' => $c,
            'parsed' => true,
            'admits_any_11' => $parsed->matches($drupal11),
            'admits_11_0' => $parsed->matches(new Constraint('==', '11.0.0.0')),
            'admits_latest_11' => $parsed->matches(new Constraint('==', $core)),
            'unbounded_upper' => $unbounded,
        ];
    } catch (\Throwable $e) {
        $out[] = ['constraint' => $c, 'parsed' => false];
    }
}
echo json_encode($out), "\n";
