<?php

declare(strict_types=1);

namespace Drupal\library_loans;

/**
 * Thrown when a loan rule forbids a checkout or renewal.
 *
 * The message is meant for the borrower and is already translated.
 */
class LoanException extends \RuntimeException {}
