<?php

declare(strict_types=1);

namespace Drupal\library_loans\Hook;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Hook\Attribute\Hook;
use Drupal\Core\Queue\QueueFactory;
use Drupal\Core\StringTranslation\StringTranslationTrait;
use Drupal\library_loans\LoanManagerInterface;

/**
 * Queues and words the overdue notices sent to borrowers.
 */
class LibraryLoansNotificationHooks {

  use StringTranslationTrait;

  public function __construct(
    protected readonly LoanManagerInterface $loans,
    protected readonly QueueFactory $queueFactory,
    protected readonly TimeInterface $time,
  ) {}

  /**
   * Implements hook_cron().
   *
   * Queues a notice for every loan that is at least a day overdue; the
   * notifier itself skips loans that were reminded recently.
   */
  #[Hook('cron')]
  public function queueOverdueNotices(): void {
    $queue = $this->queueFactory->get('library_loans_overdue_notice');
    foreach ($this->loans->overdue($this->time->getRequestTime() - 86400, 200) as $loan) {
      $queue->createItem(['loan_id' => $loan->id]);
    }
  }

  /**
   * Implements hook_mail().
   */
  #[Hook('mail')]
  public function mail(string $key, array &$message, array $params): void {
    if ($key !== 'overdue') {
      return;
    }
    $options = ['langcode' => $message['langcode']];
    $message['subject'] = $this->t('Overdue: @book', ['@book' => $params['book']], $options);
    $message['body'][] = $this->t('Hello @name,', ['@name' => $params['name']], $options);
    $message['body'][] = $this->formatPlural(
      $params['days'],
      '"@book" was due back yesterday.',
      '"@book" was due back @count days ago.',
      ['@book' => $params['book']],
      $options,
    );
    $message['body'][] = $this->t('Your fine so far is @fine. Please return or renew the book soon.', ['@fine' => $params['fine']], $options);
  }

}
