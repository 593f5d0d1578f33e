<?php

declare(strict_types=1);

namespace Drupal\library_loans;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Database\Connection;
use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Mail\MailManagerInterface;
use Psr\Log\LoggerInterface;

/**
 * Emails borrowers about books they should have brought back.
 */
class OverdueNotifier {

  /**
   * Minimum number of seconds between two notices for the same loan.
   */
  protected const RESEND_AFTER = 3 * 86400;

  public function __construct(
    protected readonly MailManagerInterface $mailManager,
    protected readonly EntityTypeManagerInterface $entityTypeManager,
    protected readonly FineCalculator $fines,
    protected readonly Connection $database,
    protected readonly TimeInterface $time,
    protected readonly LoggerInterface $logger,
  ) {}

  /**
   * Sends an overdue notice unless one went out recently.
   *
   * @return bool
   *   TRUE if a message was sent.
   */
  public function notify(Loan $loan): bool {
    $now = $this->time->getRequestTime();
    $last = (int) $this->database->query('SELECT [notified] FROM {library_loans_loan} WHERE [id] = :id', [':id' => $loan->id])->fetchField();
    if (!$loan->isOverdue($now) || $now - $last < static::RESEND_AFTER) {
      return FALSE;
    }
    $borrower = $this->entityTypeManager->getStorage('user')->load($loan->uid);
    $book = $this->entityTypeManager->getStorage('node')->load($loan->nid);
    if (!$borrower || !$book || !$borrower->getEmail()) {
      $this->logger->warning('Skipped the overdue notice for loan @id: borrower or book is gone.', ['@id' => $loan->id]);
      return FALSE;
    }
    $result = $this->mailManager->mail('library_loans', 'overdue', $borrower->getEmail(), $borrower->getPreferredLangcode(), [
      'book' => $book->label(),
      'days' => $loan->daysLate($now),
      'fine' => $this->fines->format($this->fines->fineFor($loan)),
      'name' => $borrower->getDisplayName(),
    ]);
    if (empty($result['result'])) {
      $this->logger->error('Could not send the overdue notice for loan @id.', ['@id' => $loan->id]);
      return FALSE;
    }
    $this->database->update('library_loans_loan')
      ->fields(['notified' => $now])
      ->condition('id', $loan->id)
      ->execute();
    return TRUE;
  }

}
