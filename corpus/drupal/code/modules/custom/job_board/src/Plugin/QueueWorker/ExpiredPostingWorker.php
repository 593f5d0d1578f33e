<?php

declare(strict_types=1);

namespace Drupal\job_board\Plugin\QueueWorker;

use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\Queue\Attribute\QueueWorker;
use Drupal\Core\Queue\QueueWorkerBase;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\node\NodeInterface;
use Psr\Log\LoggerInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Unpublishes job postings whose closing date has passed.
 *
 * Items are queued by the cron hook with the node ID of each expired posting.
 */
#[QueueWorker(
  id: 'job_board_expired_posting',
  title: new TranslatableMarkup('Close expired job postings'),
  cron: ['time' => 30],
)]
class ExpiredPostingWorker extends QueueWorkerBase implements ContainerFactoryPluginInterface {

  /**
   * Constructs a new ExpiredPostingWorker object.
   */
  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly EntityTypeManagerInterface $entityTypeManager,
    protected readonly LoggerInterface $logger,
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
      $container->get('entity_type.manager'),
      $container->get('logger.channel.job_board'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function processItem($data): void {
    $node = $this->entityTypeManager->getStorage('node')->load($data['nid']);
    // The posting may have been deleted or closed by hand since it was queued.
    if (!$node instanceof NodeInterface || !$node->isPublished()) {
      return;
    }
    $node->setUnpublished();
    $node->setNewRevision();
    $node->setRevisionLogMessage('Closed automatically after the closing date passed.');
    $node->save();
    $this->logger->info('Closed the expired job posting %title (node @nid).', [
      '%title' => $node->label(),
      '@nid' => $node->id(),
    ]);
  }

}
