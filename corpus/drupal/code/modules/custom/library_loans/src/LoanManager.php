<?php

declare(strict_types=1);

namespace Drupal\library_loans;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Cache\CacheTagsInvalidatorInterface;
use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Database\Connection;
use Drupal\Core\StringTranslation\TranslatableMarkup;

/**
 * Stores loans in the library_loans_loan table and enforces lending rules.
 */
class LoanManager implements LoanManagerInterface {

  public function __construct(
    protected readonly Connection $database,
    protected readonly ConfigFactoryInterface $configFactory,
    protected readonly TimeInterface $time,
    protected readonly CacheTagsInvalidatorInterface $cacheTagsInvalidator,
  ) {}

  /**
   * {@inheritdoc}
   */
  public function checkout(int $nid, int $uid): Loan {
    $settings = $this->configFactory->get('library_loans.settings');
    $max = (int) $settings->get('max_active_loans');
    if ($this->openLoanForBook($nid)) {
      throw new LoanException((string) new TranslatableMarkup('This book is already on loan.'));
    }
    if (count($this->openLoansForBorrower($uid)) >= $max) {
      throw new LoanException((string) new TranslatableMarkup('You already have @max books on loan.', ['@max' => $max]));
    }
    $now = $this->time->getRequestTime();
    $id = $this->database->insert('library_loans_loan')
      ->fields(['nid' => $nid, 'uid' => $uid, 'checked_out' => $now, 'due' => $now + 86400 * (int) $settings->get('loan_days')])
      ->execute();
    $this->cacheTagsInvalidator->invalidateTags(['node:' . $nid, 'library_loans:user:' . $uid]);
    return $this->load((int) $id);
  }

  /**
   * {@inheritdoc}
   */
  public function checkIn(int $loan_id): void {
    $loan = $this->load($loan_id);
    if ($loan?->isOpen()) {
      $this->write($loan, ['returned' => $this->time->getRequestTime()]);
    }
  }

  /**
   * {@inheritdoc}
   */
  public function renew(int $loan_id): Loan {
    $loan = $this->load($loan_id);
    if (!$loan || $loan->isOverdue($this->time->getRequestTime()) || !$loan->isOpen()) {
      throw new LoanException((string) new TranslatableMarkup('Only current loans that are not overdue can be renewed.'));
    }
    $settings = $this->configFactory->get('library_loans.settings');
    if ($loan->renewals >= (int) $settings->get('max_renewals')) {
      throw new LoanException((string) new TranslatableMarkup('This loan was already renewed @count times.', ['@count' => $loan->renewals]));
    }
    $this->write($loan, ['due' => $loan->due + 86400 * (int) $settings->get('loan_days'), 'renewals' => $loan->renewals + 1]);
    return $this->load($loan_id);
  }

  /**
   * {@inheritdoc}
   */
  public function load(int $loan_id): ?Loan {
    return $this->find([['id', $loan_id]])[0] ?? NULL;
  }

  /**
   * {@inheritdoc}
   */
  public function openLoanForBook(int $nid): ?Loan {
    return $this->find([['nid', $nid], ['returned', 0]])[0] ?? NULL;
  }

  /**
   * {@inheritdoc}
   */
  public function openLoansForBorrower(int $uid): array {
    return $this->find([['uid', $uid], ['returned', 0]]);
  }

  /**
   * {@inheritdoc}
   */
  public function overdue(int $before, int $limit = 100): array {
    return $this->find([['returned', 0], ['due', $before, '<']], $limit);
  }

  /**
   * Loads the loans matching all conditions, soonest due first.
   */
  protected function find(array $conditions, int $limit = 0): array {
    $query = $this->database->select('library_loans_loan', 'l')->fields('l')->orderBy('due');
    foreach ($conditions as $condition) {
      $query->condition(...$condition);
    }
    if ($limit > 0) {
      $query->range(0, $limit);
    }
    return array_map(Loan::fromRow(...), $query->execute()->fetchAll());
  }

  /**
   * Updates a loan and clears the cached views of its book and borrower.
   */
  protected function write(Loan $loan, array $fields): void {
    $this->database->update('library_loans_loan')->fields($fields)->condition('id', $loan->id)->execute();
    $this->cacheTagsInvalidator->invalidateTags(['node:' . $loan->nid, 'library_loans:user:' . $loan->uid]);
  }

}
