<?php

declare(strict_types=1);

namespace Drupal\library_loans\Plugin\QueueWorker;

use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\Queue\Attribute\QueueWorker;
use Drupal\Core\Queue\QueueWorkerBase;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\library_loans\LoanManagerInterface;
use Drupal\library_loans\OverdueNotifier;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Sends the overdue notices that cron queued, one loan per item.
 *
 * The loan is reloaded first, so a book returned after it was queued does
 * not trigger a notice.
 */
#[QueueWorker(
  id: 'library_loans_overdue_notice',
  title: new TranslatableMarkup('Overdue loan notices'),
  cron: ['time' => 30],
)]
class OverdueNoticeWorker extends QueueWorkerBase implements ContainerFactoryPluginInterface {

  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly LoanManagerInterface $loans,
    protected readonly OverdueNotifier $notifier,
  ) {
    parent::__construct($configuration, $plugin_id, $plugin_definition);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition): static {
    return new static(
      $configuration,
      $plugin_id,
      $plugin_definition,
      $container->get('library_loans.loan_manager'),
      $container->get('library_loans.overdue_notifier'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function processItem($data): void {
    $loan = $this->loans->load((int) $data['loan_id']);
    if ($loan?->isOpen()) {
      $this->notifier->notify($loan);
    }
  }

}
