<?php

declare(strict_types=1);

namespace Drupal\library_loans;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Config\ConfigFactoryInterface;

/**
 * Works out late fees from the daily fine and the per-loan cap.
 */
class FineCalculator {

  public function __construct(
    protected readonly ConfigFactoryInterface $configFactory,
    protected readonly TimeInterface $time,
  ) {}

  /**
   * Returns the fine a loan has run up so far.
   */
  public function fineFor(Loan $loan): float {
    $settings = $this->configFactory->get('library_loans.settings');
    $fine = $loan->daysLate($this->time->getRequestTime()) * (float) $settings->get('daily_fine');
    return round(min($fine, (float) $settings->get('fine_cap')), 2);
  }

  /**
   * Adds up the fines of several loans.
   *
   * @param \Drupal\library_loans\Loan[] $loans
   *   The loans of one borrower.
   */
  public function total(array $loans): float {
    return round(array_sum(array_map($this->fineFor(...), $loans)), 2);
  }

  /**
   * Formats an amount with the configured currency, such as "EUR 2.50".
   */
  public function format(float $amount): string {
    $currency = $this->configFactory->get('library_loans.settings')->get('currency');
    return sprintf('%s %s', $currency, number_format($amount, 2));
  }

}
