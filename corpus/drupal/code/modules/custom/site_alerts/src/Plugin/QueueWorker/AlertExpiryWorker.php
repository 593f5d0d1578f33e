<?php

declare(strict_types=1);

namespace Drupal\site_alerts\Plugin\QueueWorker;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\Queue\Attribute\QueueWorker;
use Drupal\Core\Queue\QueueWorkerBase;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\site_alerts\AlertRepositoryInterface;
use Psr\Log\LoggerInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Removes ended alerts once they have been in the archive long enough.
 *
 * Each queue item is the ID of an alert that has ended; cron queues them.
 */
#[QueueWorker(
  id: 'site_alerts_expiry',
  title: new TranslatableMarkup('Purge expired site alerts'),
  cron: ['time' => 30],
)]
class AlertExpiryWorker extends QueueWorkerBase implements ContainerFactoryPluginInterface {

  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly AlertRepositoryInterface $repository,
    protected readonly ConfigFactoryInterface $configFactory,
    protected readonly TimeInterface $time,
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
      $container->get('site_alerts.alert_repository'),
      $container->get('config.factory'),
      $container->get('datetime.time'),
      $container->get('logger.factory')->get('site_alerts'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function processItem($data): void {
    $alert = $this->repository->load((string) $data);
    if ($alert === NULL || $alert->endsAt === NULL) {
      return;
    }
    $days = (int) $this->configFactory->get('site_alerts.settings')->get('archive_days');
    $purge_after = $alert->endsAt + $days * 86400;
    if ($purge_after > $this->time->getRequestTime()) {
      return;
    }
    $this->repository->remove($alert->id);
    $this->logger->info('Purged site alert %id, which ended @days days ago or more.', [
      '%id' => $alert->id,
      '@days' => $days,
    ]);
  }

}
