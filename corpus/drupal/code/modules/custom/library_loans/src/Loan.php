<?php

declare(strict_types=1);

namespace Drupal\library_loans;

/**
 * A single loan record, as stored in the library_loans_loan table.
 */
final class Loan {

  public function __construct(
    public readonly int $id,
    public readonly int $nid,
    public readonly int $uid,
    public readonly int $checkedOut,
    public readonly int $due,
    public readonly int $returned = 0,
    public readonly int $renewals = 0,
  ) {}

  /**
   * Creates a loan from a database row object.
   */
  public static function fromRow(object $row): self {
    return new self(
      (int) $row->id,
      (int) $row->nid,
      (int) $row->uid,
      (int) $row->checked_out,
      (int) $row->due,
      (int) $row->returned,
      (int) $row->renewals,
    );
  }

  /**
   * Tells whether the book is still with the borrower.
   */
  public function isOpen(): bool {
    return $this->returned === 0;
  }

  /**
   * Tells whether the book is still out after its due date.
   */
  public function isOverdue(int $now): bool {
    return $this->isOpen() && $now > $this->due;
  }

  /**
   * Counts the whole days a loan is or was late.
   */
  public function daysLate(int $now): int {
    $end = $this->isOpen() ? $now : $this->returned;
    return max(0, intdiv($end - $this->due, 86400));
  }

}
