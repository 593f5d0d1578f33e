<?php

declare(strict_types=1);

namespace Drupal\library_loans;

/**
 * Checks books in and out and answers questions about loans.
 */
interface LoanManagerInterface {

  /**
   * Lends a book to a borrower.
   *
   * @return \Drupal\library_loans\Loan
   *   The new loan.
   *
   * @throws \Drupal\library_loans\LoanException
   *   When the book is already out or the borrower is at the loan limit.
   */
  public function checkout(int $nid, int $uid): Loan;

  /**
   * Records the return of a book.
   */
  public function checkIn(int $loan_id): void;

  /**
   * Extends a loan by another loan period.
   *
   * @throws \Drupal\library_loans\LoanException
   *   When the loan is closed, overdue or out of renewals.
   */
  public function renew(int $loan_id): Loan;

  /**
   * Loads a loan by ID.
   */
  public function load(int $loan_id): ?Loan;

  /**
   * Returns the open loan of a book, if it is out.
   */
  public function openLoanForBook(int $nid): ?Loan;

  /**
   * Returns a borrower's open loans, soonest due first.
   *
   * @return \Drupal\library_loans\Loan[]
   *   The loans.
   */
  public function openLoansForBorrower(int $uid): array;

  /**
   * Returns open loans that were due before a time, oldest first.
   *
   * @return \Drupal\library_loans\Loan[]
   *   The loans.
   */
  public function overdue(int $before, int $limit = 100): array;

}
